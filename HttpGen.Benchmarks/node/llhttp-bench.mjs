// Node's built-in HTTP/1.1 request parser (llhttp, through node's C++ binding) on the HttpGen benchmark inputs.
//
//   node llhttp-bench.mjs [inputs-dir] [--quick]
//
// For each input: "Single" executes a buffer holding one request, 16 times per round; "Pipelined16" executes one
// buffer of 16 copies in a single execute() call. Both report nanoseconds per request (total time / requests), the
// unit of the BenchmarkDotNet table. The figure includes what Node's binding does per request: it turns the method,
// URL and every header name and value into JS strings and calls back into JS (onHeadersComplete), as a Node server
// does. It is not llhttp alone in C.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// _http_common is the (legacy, undocumented but flag-free) module node's http server takes the parser from.
// process.binding('http_parser') is the same class but prints a deprecation warning.
const { HTTPParser } = require('_http_common');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const inputsDir = args.find((a) => !a.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'Inputs');

const COPIES = 16;
const kOnHeaders = HTTPParser.kOnHeaders | 0;
const kOnHeadersComplete = HTTPParser.kOnHeadersComplete | 0;
const kOnBody = HTTPParser.kOnBody | 0;
const kOnMessageComplete = HTTPParser.kOnMessageComplete | 0;

// Counters the callbacks feed; they are also the checksum that proves every request was parsed.
let messages = 0;
let headerLines = 0;
let lastHeaders = null;

function makeParser() {
  const parser = new HTTPParser();
  // Strict (kLenientNone = 0), default header size limit, as node's http server does it.
  parser.initialize(HTTPParser.REQUEST, {}, 0, 0);
  parser[kOnHeaders] = (headers) => { headerLines += headers.length / 2; };
  parser[kOnHeadersComplete] = (versionMajor, versionMinor, headers, method, url) => {
    headerLines += headers.length / 2;
    lastHeaders = headers;
    return 0;
  };
  parser[kOnBody] = () => {};
  parser[kOnMessageComplete] = () => { messages++; };
  return parser;
}

function execute(parser, buffer) {
  const result = parser.execute(buffer);
  if (typeof result !== 'number' || result !== buffer.length) {
    throw new Error(`llhttp failed: ${result instanceof Error ? `${result.code} ${result.reason}` : result}`);
  }
}

function expectedHeaderCount(request) {
  const text = request.toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').length - 1;
}

// One round: COPIES requests, either COPIES executes of one request or one execute of COPIES requests.
function round(parser, layout, single, pipelined) {
  if (layout === 'Single') {
    for (let i = 0; i < COPIES; i++) execute(parser, single);
  } else {
    execute(parser, pipelined);
  }
}

function measure(name, layout) {
  const single = readFileSync(join(inputsDir, `${name}.http`));
  const pipelined = Buffer.concat(Array.from({ length: COPIES }, () => single));
  const headersPerRequest = expectedHeaderCount(single);
  const parser = makeParser();

  // Check first: the parser must see every request and every header line.
  messages = 0; headerLines = 0;
  round(parser, layout, single, pipelined);
  if (messages !== COPIES || headerLines !== COPIES * headersPerRequest) {
    throw new Error(`${name}/${layout}: parsed ${messages} requests and ${headerLines} header lines, expected ${COPIES} and ${COPIES * headersPerRequest}`);
  }

  const roundsPerSample = quick ? 200 : 5000;
  const warmupSamples = quick ? 5 : 50;
  const samples = quick ? 5 : 30;
  const perRequest = [];
  for (let s = 0; s < warmupSamples + samples; s++) {
    messages = 0;
    const start = process.hrtime.bigint();
    for (let r = 0; r < roundsPerSample; r++) round(parser, layout, single, pipelined);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (messages !== roundsPerSample * COPIES) throw new Error(`${name}/${layout}: lost requests while measuring`);
    if (s >= warmupSamples) perRequest.push(elapsed / (roundsPerSample * COPIES));
  }

  parser.close();
  perRequest.sort((a, b) => a - b);
  const median = perRequest[perRequest.length >> 1];
  const mean = perRequest.reduce((a, b) => a + b, 0) / perRequest.length;
  const sd = Math.sqrt(perRequest.reduce((a, b) => a + (b - mean) ** 2, 0) / perRequest.length);
  return { name, layout, median, min: perRequest[0], sd, bytes: single.length, headers: headersPerRequest };
}

const rows = [];
for (const name of ['small', 'browser']) {
  for (const layout of ['Single', 'Pipelined16']) rows.push(measure(name, layout));
}

console.log(`node ${process.version}, llhttp ${process.versions.llhttp}${quick ? ' (quick run: indicative only)' : ''}`);
console.log('');
console.log('| Input | Layout | Median ns/request | Min ns/request | StdDev ns |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} (${r.bytes} B, ${r.headers} headers) | ${r.layout} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.sd.toFixed(1)} |`);
}
