// The submitter's side of a finished team job: its result files come home into the job's own
// output folder. Several processes here may mirror the same queue (the app and a CLI run), so the
// job table decides which one downloads, and a crash midway is picked up from the temporary names.
import { existsSync, mkdirSync } from 'node:fs';
import { CodedError, errorInfo, nest, type ErrorInfo } from '../common/errors.ts';
import type { Job } from '../common/types.ts';
import type { BlobStore } from './blobs.ts';
import type { TeamHost } from './host.ts';
import type { TeamResult } from './job-data.ts';

export class ResultDownloads {
  /** This process, as the owner of a result download in the shared job table. */
  private readonly token = `team:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

  constructor(
    private readonly host: TeamHost,
    private readonly blobs: BlobStore,
    /** Ends the job as failed with this coded sentence (as the mirror ends any job). */
    private readonly fail: (row: Job, error: ErrorInfo) => void,
  ) {}

  /**
   * The result files go into the job's own output folder, under the names planned here, through
   * temporary names (a crash in between finds them again).
   */
  async download(row: Job, result: TeamResult): Promise<void> {
    if (!this.host.store.team.claimDownload(row.id, this.token, Date.now())) return; // another process here does it
    const outDir = row.spec.outDir ?? '';
    if (!outDir) {
      this.fail(row, new CodedError('TEAM_NO_OUTPUT_FOLDER', {}).info());
      return;
    }
    mkdirSync(outDir, { recursive: true });
    let outputs = row.outputs;
    if (outputs.length < result.files.length) {
      const { base, ext } = this.host.resultBase(row);
      outputs = result.files.map(
        (_f, i) =>
          outputs[i] ?? this.host.planOutput(outDir, i === 0 ? base : `${base} (part ${i + 1})`, ext),
      );
      this.host.store.setPlannedOutputs(row.id, outputs, Date.now());
    }
    const finals: string[] = [];
    try {
      for (let i = 0; i < result.files.length; i++) {
        const final = outputs[i];
        const tmp = this.host.temporaryPath(final, row.id);
        if (!existsSync(tmp) && !existsSync(final)) await this.blobs.get(result.files[i].blob, tmp);
        faultPoint('team-after-download');
        finals.push(this.host.finalizeFile(tmp, final));
      }
    } catch (err) {
      this.fail(row, new CodedError('TEAM_RESULT_NOT_DOWNLOADED', nest(errorInfo(err))).info());
      return;
    }
    this.host.store.team.setResult(row.id, result.stats);
    const s = result.stats;
    if (this.host.store.finish(row.id, null, 'succeeded', { outputs: finals }, Date.now())) {
      const done = { ...s, outputs: finals };
      this.host.log(row.id, 'info', new CodedError('LOG_DONE', done).info());
      this.host.announce(row.id);
    }
  }
}

/** Crash-test hook, as the engine's: CROSSDOCK_FAULT_INJECT=<point> kills this process there. */
function faultPoint(name: string): void {
  if (process.env.CROSSDOCK_FAULT_INJECT === name) process.kill(process.pid, 'SIGKILL');
}
