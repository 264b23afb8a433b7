// Only for tsconfig.common.json, the program of src-main/common alone: no DOM lib and no Node types,
// so the code every side imports can use neither side's globals. The one browser type the contract
// names, File (CrossdockApi.pathForFile, a type only), is opaque there: it can be named, not used.
interface File {
  readonly __opaqueInCommon: never;
}
