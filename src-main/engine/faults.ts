/**
 * Crash-test hook: CROSSDOCK_FAULT_INJECT=<point> kills this process at that point, the way a power
 * cut or `kill -9` would, so tests can prove every point recovers.
 */
export function faultPoint(name: string): void {
  if (process.env.CROSSDOCK_FAULT_INJECT === name) process.kill(process.pid, 'SIGKILL');
}
