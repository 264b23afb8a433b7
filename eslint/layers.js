// The layer graph as an ESLint rule: each folder (or single file) of the project may import only the
// folders and files it lists. eslint.config.js holds the graph; this file only checks it.
//
// Every way a module can name another counts: `import`, `import type`, `export … from`, `import()`,
// `require()` and `require.resolve()`, `import x = require()`, `import('…')` types, and the requires
// made by `createRequire` (kept in a const and called directly, or called at once: anything else is
// reported, since what it loads could not be checked). A specifier that is not a string literal
// cannot be checked either, so it is reported too.
//
// A relative (or absolute) specifier is resolved against the importing file to a path inside the
// repository, without touching the file system, and the longest entry of the layer's lists that
// contains it decides: `imports` allows any kind of import, `types` only type-only ones (`import type`,
// `export type … from`, `import('…')` in a type). A bare specifier is a package: `electron` needs the
// layer's `electron: true`, a Node builtin (`node:*`, fs, path…) is refused where `node: false`;
// other packages are not the graph's business.
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);

const isBuiltin = (spec) =>
  spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/');
const isPath = (spec) => spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:');
const toPosix = (p) => p.split(path.sep).join('/');
const contains = (entry, rel) => rel === entry || rel.startsWith(entry + '/');

/** The specifier a node names, or null when it is not a string known before run time. */
function staticString(node) {
  if (!node) return null;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node.type === 'TSLiteralType') return staticString(node.literal);
  return null;
}

export const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only the layers the graph in eslint.config.js lists.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              properties: {
                imports: { type: 'array', items: { type: 'string' } },
                types: { type: 'array', items: { type: 'string' } },
                electron: { type: 'boolean' },
                node: { type: 'boolean' },
              },
              additionalProperties: false,
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      notListed:
        'Layers: {{layer}} may not import {{target}} ({{kind}}). It may import {{allowed}} (see the graph in eslint.config.js).',
      typeOnly:
        'Layers: {{layer}} may import only types from {{entry}}; {{target}} comes in as a value ({{kind}}). Use `import type` / `export type … from`.',
      electron:
        'Layers: only src-main/electron (the shell) may import electron; {{layer}} may not ({{kind}}).',
      nodeBuiltin: 'Layers: {{layer}} has no Node runtime; it may not import {{spec}} ({{kind}}).',
      computed:
        'Layers: {{kind}} with a computed specifier cannot be checked against the layer graph; use a string literal.',
      createRequire:
        'Layers: keep what createRequire makes in a const and call it directly (load("x")), so the layer graph can check what it loads.',
    },
  },

  create(context) {
    const { root, layers } = context.options[0];
    const file = toPosix(path.relative(root, context.filename));
    const layerName = Object.keys(layers)
      .filter((entry) => contains(entry, file))
      .sort((a, b) => b.length - a.length)[0];
    if (layerName === undefined) return {};
    const layer = layers[layerName];
    const imports = layer.imports ?? [];
    const types = layer.types ?? [];
    const allowed =
      [imports.join(', ') || 'no project file', types.length ? `types only from ${types.join(', ')}` : '']
        .filter(Boolean)
        .join('; ') + (layer.electron ? '; electron' : '');
    const sourceCode = context.sourceCode;

    /** Checks one dependency: `specNode` is the specifier's node, `typeOnly` whether only types come in. */
    function check(specNode, kind, typeOnly, reportNode = specNode) {
      const spec = staticString(specNode);
      if (spec === null) {
        context.report({ node: reportNode, messageId: 'computed', data: { kind } });
        return;
      }
      const data = { layer: layerName, kind, spec };
      if (isPath(spec)) {
        const abs = spec.startsWith('file:')
          ? new URL(spec).pathname
          : path.resolve(path.dirname(context.filename), spec);
        const target = toPosix(path.relative(root, abs));
        const match = (list) =>
          list.filter((e) => contains(e, target)).sort((a, b) => b.length - a.length)[0];
        const byValue = match(imports);
        const byType = match(types);
        if (byValue === undefined && byType === undefined) {
          context.report({ node: specNode, messageId: 'notListed', data: { ...data, target, allowed } });
        } else if (!typeOnly && (byValue === undefined || byType?.length > byValue.length)) {
          context.report({ node: specNode, messageId: 'typeOnly', data: { ...data, target, entry: byType } });
        }
      } else if (isElectron(spec)) {
        if (!layer.electron) context.report({ node: specNode, messageId: 'electron', data });
      } else if (isBuiltin(spec)) {
        if (layer.node === false) context.report({ node: specNode, messageId: 'nodeBuiltin', data });
      }
    }

    /** The variable an identifier refers to, or undefined for a global or undeclared name. */
    function declared(identifier) {
      for (let scope = sourceCode.getScope(identifier); scope; scope = scope.upper) {
        const variable = scope.set.get(identifier.name);
        if (variable && variable.defs.length > 0) return variable;
      }
      return undefined;
    }

    // Local names of `createRequire` imported from module / node:module.
    const createRequireNames = new Set();
    const isCreateRequire = (callee) =>
      (callee.type === 'Identifier' && createRequireNames.has(callee.name)) ||
      (callee.type === 'MemberExpression' &&
        !callee.computed &&
        callee.property.type === 'Identifier' &&
        callee.property.name === 'createRequire');

    /** A call of a require made by createRequire (or of its `.resolve`), if `identifier` is its callee. */
    function checkRequireUse(identifier, reportEscape) {
      const parent = identifier.parent;
      if (parent.type === 'CallExpression' && parent.callee === identifier) {
        check(parent.arguments[0], 'createRequire()', false, parent);
      } else if (
        parent.type === 'MemberExpression' &&
        parent.object === identifier &&
        !parent.computed &&
        parent.property.name === 'resolve' &&
        parent.parent.type === 'CallExpression' &&
        parent.parent.callee === parent
      ) {
        check(parent.parent.arguments[0], 'createRequire().resolve()', false, parent.parent);
      } else {
        reportEscape(identifier);
      }
    }

    return {
      ImportDeclaration(node) {
        if (node.source.value === 'module' || node.source.value === 'node:module') {
          for (const s of node.specifiers) {
            if (s.type === 'ImportSpecifier' && (s.imported.name ?? s.imported.value) === 'createRequire') {
              createRequireNames.add(s.local.name);
            }
          }
        }
        // `import { type A } from` is a value import: with verbatimModuleSyntax the module still loads.
        const typeOnly = node.importKind === 'type';
        check(node.source, typeOnly ? 'import type' : 'import', typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (!node.source) return;
        const typeOnly = node.exportKind === 'type';
        check(node.source, typeOnly ? 'export type … from' : 'export … from', typeOnly);
      },
      ExportAllDeclaration(node) {
        const typeOnly = node.exportKind === 'type';
        check(node.source, typeOnly ? 'export type * from' : 'export * from', typeOnly);
      },
      ImportExpression(node) {
        check(node.source, 'import()', false, node);
      },
      TSImportType(node) {
        check(node.source ?? node.argument, "import('…') type", true, node);
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type !== 'TSExternalModuleReference') return;
        const typeOnly = node.importKind === 'type';
        check(node.moduleReference.expression, 'import … = require()', typeOnly, node);
      },
      CallExpression(node) {
        const callee = node.callee;
        // The global require (a local variable named require is checked below if createRequire made it).
        if (callee.type === 'Identifier' && callee.name === 'require' && !declared(callee)) {
          check(node.arguments[0], 'require()', false, node);
          return;
        }
        if (
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          callee.object.name === 'require' &&
          !callee.computed &&
          callee.property.name === 'resolve' &&
          !declared(callee.object)
        ) {
          check(node.arguments[0], 'require.resolve()', false, node);
          return;
        }
        if (!isCreateRequire(callee)) return;
        const reportEscape = (n) => context.report({ node: n, messageId: 'createRequire' });
        const parent = node.parent;
        if (parent.type === 'CallExpression' && parent.callee === node) {
          check(parent.arguments[0], 'createRequire()', false, parent);
        } else if (
          parent.type === 'VariableDeclarator' &&
          parent.init === node &&
          parent.id.type === 'Identifier' &&
          parent.parent.kind === 'const' &&
          parent.parent.parent.type !== 'ExportNamedDeclaration'
        ) {
          for (const variable of sourceCode.getDeclaredVariables(parent)) {
            for (const ref of variable.references) {
              if (ref.init) continue;
              checkRequireUse(ref.identifier, reportEscape);
            }
          }
        } else {
          reportEscape(node);
        }
      },
    };
  },
};

export default { meta: { name: 'crossdock-layers' }, rules: { imports: rule } };
