// The progress bar of multi-endpoint scans: on stderr, and only on a terminal, so stdout keeps
// nothing but the report and logs of CI runs stay free of redraw sequences.

import cliProgress from 'cli-progress';

export interface Progress {
  start(endpointCount: number): void;
  /** One endpoint is done; `label` names it. */
  advance(label: string): void;
  stop(): void;
}

type ProgressStream = { write(text: string): unknown; isTTY?: boolean; columns?: number };

/** A progress bar when the stream is a terminal and there is more than one endpoint. */
export function createProgress(stream: ProgressStream): Progress {
  let bar: cliProgress.SingleBar | undefined;

  return {
    start(endpointCount) {
      if (!stream.isTTY || endpointCount < 2 || bar) {
        return;
      }

      bar = new cliProgress.SingleBar(
        {
          stream: stream as NodeJS.WritableStream,
          format: 'scanning {bar} {value}/{total} endpoints  {last}',
          hideCursor: true,
          clearOnComplete: true,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(endpointCount, 0, { last: '' });
    },

    advance(label) {
      bar?.increment(1, { last: label });
    },

    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
