/** A mistake in what the caller asked for: nothing was queued or changed. */
export class SubmitError extends Error {
  override name = 'SubmitError';
}
