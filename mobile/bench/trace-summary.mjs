// Summarises a Chrome trace written by `TRACE=trace.json node bench/scroll-trades.mjs`: the
// renderer main thread's long tasks (what took the missed frames), what kind of work filled them
// (script, style, layout, paint, GC), what started them (a timer, a scroll or wheel event, an
// animation frame), and the JS functions the sampling profiler saw most inside them, named
// through the export's source maps when they exist (`npx expo export --platform web
// --output-dir dist --source-maps`). Usage: node bench/trace-summary.mjs trace.json [min-ms]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { mobile } from './_backend.mjs';

const [file, minArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/trace-summary.mjs trace.json [min-ms]\n');
  process.exit(2);
}
const MIN_MS = Number(minArg ?? 25);
const events = JSON.parse(readFileSync(file, 'utf8')).traceEvents;

// the page's main thread: the CrRendererMain with the most tasks
const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain');
const tasksOf = (m) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.name === 'RunTask');
const main = mains.map((m) => ({ m, tasks: tasksOf(m) })).sort((a, b) => b.tasks.length - a.tasks.length)[0];
if (!main) throw new Error('no renderer main thread in the trace');
const onMain = events.filter((e) => e.pid === main.m.pid && e.tid === main.m.tid && e.ph === 'X');
const tasks = main.tasks.sort((a, b) => a.ts - b.ts);
const long = tasks.filter((t) => t.dur / 1000 >= MIN_MS);

const KINDS = {
  script: ['FunctionCall', 'TimerFire', 'EventDispatch', 'FireAnimationFrame', 'FireIdleCallback', 'v8.run', 'V8.Execute', 'RunMicrotasks'],
  style: ['UpdateLayoutTree', 'RecalculateStyles'],
  layout: ['Layout'],
  paint: ['PrePaint', 'Paint', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit'],
  gc: ['MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MARK_COMPACTOR', 'BlinkGC.AtomicPhase'],
};
/** Time of the outermost events of the kind inside [start, end] (nested ones are not counted twice). */
function kindTime(names, start, end) {
  let total = 0;
  let reach = -1;
  for (const e of onMain) {
    if (!names.includes(e.name) || e.ts < start || e.ts > end) continue;
    if (e.ts + (e.dur ?? 0) <= reach) continue;
    total += e.dur ?? 0;
    reach = e.ts + (e.dur ?? 0);
  }
  return total / 1000;
}
function trigger(task) {
  const inside = onMain.filter((e) => e.ts >= task.ts && e.ts < task.ts + task.dur && e !== task);
  const first = inside.find((e) => KINDS.script.includes(e.name)) ?? inside[0];
  if (!first) return '?';
  const data = first.args?.data ?? {};
  return [first.name, data.type, data.functionName, data.timerId === undefined ? '' : `timer ${data.timerId}`].filter(Boolean).join(' ');
}

// the sampling profiler: nodes, samples and their times
const nodes = new Map();
const samples = [];
// one profile a thread (the page's service worker has its own): the main thread's, by its id
const profileId = events.find((e) => e.name === 'Profile' && e.pid === main.m.pid && e.tid === main.m.tid)?.id;
let clock = 0;
for (const e of events.filter((x) => (x.name === 'ProfileChunk' || x.name === 'Profile') && x.pid === main.m.pid && x.id === profileId)) {
  const data = e.args?.data ?? {};
  if (data.startTime !== undefined) clock = data.startTime;
  const profile = data.cpuProfile ?? {};
  for (const n of profile.nodes ?? []) nodes.set(n.id, n);
  const deltas = data.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    clock += deltas[i] ?? 0;
    samples.push({ id, ts: clock });
  });
}

// source maps of the export, when written
const maps = new Map();
const jsDir = join(mobile, 'dist', '_expo', 'static', 'js', 'web');
let SourceMapConsumer = null;
try {
  ({ SourceMapConsumer } = await import('source-map'));
} catch {
  // names stay minified
}
async function original(frame) {
  const name = frame.functionName || '(anonymous)';
  const script = frame.url?.split('/').pop();
  if (!SourceMapConsumer || !script || !existsSync(join(jsDir, `${script}.map`))) return `${name} ${script ?? ''}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
  if (!maps.has(script)) maps.set(script, await new SourceMapConsumer(JSON.parse(readFileSync(join(jsDir, `${script}.map`), 'utf8'))));
  const at = maps.get(script).originalPositionFor({ line: frame.lineNumber + 1, column: frame.columnNumber });
  const source = at.source ? at.source.replace(/^.*node_modules\//, '').replace(/^.*\/mobile\//, '') : script;
  return `${at.name ?? name} ${source}:${at.line}`;
}

const inLong = (ts) => long.some((t) => ts >= t.ts && ts < t.ts + t.dur);
const self = new Map();
const inclusive = new Map();
let counted = 0;
for (const s of samples) {
  if (!inLong(s.ts)) continue;
  const node = nodes.get(s.id);
  if (!node) continue;
  counted += 1;
  const key = node.callFrame;
  const selfName = await original(key);
  self.set(selfName, (self.get(selfName) ?? 0) + 1);
  const seen = new Set();
  for (let n = node; n; n = nodes.get(n.parent)) {
    const name = await original(n.callFrame);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
}
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, c]) => `${String(c).padStart(6)} ${((c / Math.max(1, counted)) * 100).toFixed(1).padStart(5)} %  ${name}`);

const span = (tasks.at(-1).ts + tasks.at(-1).dur - tasks[0].ts) / 1000;
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const longMs = sum(long.map((t) => t.dur / 1000));
const out = [];
out.push(`main thread: ${tasks.length} tasks over ${(span / 1000).toFixed(1)} s; busy ${(sum(tasks.map((t) => t.dur)) / 1000 / span * 100).toFixed(1)} %`);
out.push(`tasks >= ${MIN_MS} ms: ${long.length}, ${longMs.toFixed(0)} ms in all; max ${Math.max(0, ...long.map((t) => t.dur / 1000)).toFixed(1)} ms`);
for (const [kind, names] of Object.entries(KINDS)) {
  out.push(`  ${kind.padEnd(7)} ${sum(long.map((t) => kindTime(names, t.ts, t.ts + t.dur))).toFixed(0).padStart(7)} ms`);
}
const triggers = new Map();
for (const t of long) triggers.set(trigger(t), (triggers.get(trigger(t)) ?? 0) + 1);
out.push('started by:');
out.push(...[...triggers].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, c]) => `${String(c).padStart(6)}  ${k}`));
out.push('longest tasks (start s, ms, started by, script/style/layout/paint/gc ms):');
for (const t of [...long].sort((a, b) => b.dur - a.dur).slice(0, 12)) {
  const kinds = Object.values(KINDS).map((names) => kindTime(names, t.ts, t.ts + t.dur).toFixed(0)).join('/');
  out.push(`  ${((t.ts - tasks[0].ts) / 1e6).toFixed(2).padStart(7)} ${(t.dur / 1000).toFixed(1).padStart(7)}  ${trigger(t)}  ${kinds}`);
}
out.push(`profiler samples in the long tasks: ${counted}`);
out.push('self (bottom-up):', ...top(self, 25));
out.push('inclusive:', ...top(inclusive, 40));
process.stdout.write(`${out.join('\n')}\n`);
