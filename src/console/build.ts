/**
 * Builds the console's page with esbuild, in memory, when the hub starts: one script and one
 * stylesheet with content hashes in their names, nothing fetched from outside the hub. Building at
 * start (about a quarter of a second) rather than shipping built files means the page can never be
 * older than the hub that serves it.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface ConsoleBundle {
  /** By file name, as `/console/assets/<name>` serves them. */
  assets: Map<string, ConsoleAsset>;
  /** The page that loads them. */
  html: string;
  /** Bytes of script and of stylesheet the page loads. */
  weight: { script: number; style: number };
}

const APP = join(dirname(fileURLToPath(import.meta.url)), 'app');

/**
 * Browsers as old as a district office keeps (Chrome, Cốc Cốc and Edge from late 2020, Firefox 78 ESR),
 * as ES modules; Safari from 15 (14 cannot take uPlot's destructuring once transformed).
 */
const TARGETS = ['chrome87', 'edge88', 'firefox78', 'safari15'];

let cached: Promise<ConsoleBundle> | undefined;

/** The console, built once per process. */
export function consoleBundle(): Promise<ConsoleBundle> {
  cached ??= buildConsole().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function buildConsole(): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: { app: join(APP, 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: TARGETS,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(APP, 'tsconfig.json'),
    outdir: 'out',
    entryNames: '[name]-[hash]',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, ConsoleAsset>();
  let script = '';
  let style = '';
  const weight = { script: 0, style: 0 };
  for (const file of result.outputFiles) {
    const name = file.path.split(/[\\/]/).pop()!;
    const body = Buffer.from(file.contents);
    const isScript = name.endsWith('.js');
    assets.set(name, {
      body,
      contentType: isScript ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
    if (isScript) {
      script = name;
      weight.script += body.length;
    } else {
      style = name;
      weight.style += body.length;
    }
  }
  const html = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EduBridge — Bảng điều khiển / Console</title>
<link rel="stylesheet" href="/console/assets/${style}">
<script type="module" src="/console/assets/${script}"></script>
</head>
<body>
<div id="app"><p>Đang tải… / Loading…</p></div>
<noscript>Bảng điều khiển cần JavaScript. / The console needs JavaScript.</noscript>
</body>
</html>
`;
  return { assets, html, weight };
}
