/**
 * A progress bar on stderr for long work. Drawn only on a terminal, so piped output and JSON on
 * stdout stay clean; at most ten redraws a second, so it costs nothing on a hot loop.
 */
export interface ProgressBar {
  update(done: number, total: number, detail?: string): void;
  done(summary?: string): void;
}

const WIDTH = 30;

export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) {
    return { update() {}, done() {} };
  }
  const started = Date.now();
  let last = 0;
  const draw = (done: number, total: number, detail = '') => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * WIDTH);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(
      `\r${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${detail} ${seconds}s\u001b[K`,
    );
  };
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(done, total, detail);
    },
    done(summary) {
      stream.write(`\r\u001b[K${summary ? `${summary}\n` : ''}`);
    },
  };
}
