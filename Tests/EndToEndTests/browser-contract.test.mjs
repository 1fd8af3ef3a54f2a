// The API as a browser sees it: Node's own fetch, WebSocket and JSON.parse (the engine a browser
// frontend runs) against the live platform at TRADEWIND_GATEWAY. BrowserContractTests starts the
// platform and runs this file with `node --experimental-websocket --test`; no packages.
//
// It walks every operation of the OpenAPI document with real data (each must answer 2xx once),
// reads the bot status stream and every kind of WebSocket message, then checks every answer:
// no integer beyond 2^53 (JSON.parse would round it), every time field Unix milliseconds that
// `new Date` reads, every `*_ns` a string of digits; and the seed's WebSocket exchange verbatim.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.TRADEWIND_GATEWAY;
const answers = []; // { what, text }: every JSON body received, as text
const answered = new Set(); // "GET /api/v1/bots/{id}" that answered 2xx
const live = []; // every WebSocket message, as text
let socket; // the one WebSocket, closed when the tests end however they end
after(() => socket?.close());
const password = 'correct horse battery';
const run = Date.now().toString(36); // unique e-mail addresses: the file also runs against a long-lived platform

async function call(method, template, { token, body, params = {}, query = '', version = '/api/v1' } = {}) {
  const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]));
  // Each request on a connection of its own: Node 20's WebSocket (undici) opens its handshake on a
  // pooled keep-alive connection when one is idle, where a browser always opens a dedicated one
  // (WHATWG fetch, "obtain a WebSocket connection"), and the gateway's HTTP/1 server upgrades only
  // a connection's first request. Closing each fetch's connection keeps the pool empty.
  const headers = { Connection: 'close' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(base + version + path + query, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const what = `${method} ${version}${template}`;
  if (text.length > 0) answers.push({ what: `${what} → ${response.status}`, text });
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 500)}`);
  answered.add(what);
  return text.length > 0 ? JSON.parse(text) : null;
}

/** Polls `probe` every 250 ms until it returns something truthy, at most `seconds`. */
async function eventually(what, seconds, probe) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The first event of a Server-Sent Events stream, its data parsed. */
async function firstEvent(template, params, token) {
  const controller = new AbortController();
  const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]));
  const response = await fetch(`${base}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}`, Connection: 'close' }, signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = response.body.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  const data = text.split('\n').find((line) => line.startsWith('data: '))?.slice(6);
  assert.ok(data, `no data in ${JSON.stringify(text)}`);
  answers.push({ what: `GET /api/v1${template} (event)`, text: data });
  answered.add(`GET /api/v1${template}`);
  return JSON.parse(data);
}

const kindsWanted = ['subscribed', 'pong', 'error', 'market_update', 'candle', 'indicators', 'decision', 'order', 'position', 'trade', 'backtest', 'optimization'];
const seen = () => new Set(live.map((text) => JSON.parse(text).type));

/** Opens the WebSocket the way a browser does (the token in the query) and keeps every message. */
function connect(token) {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?token=${token}`);
  ws.addEventListener('message', (event) => live.push(String(event.data)));
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(ws));
    ws.addEventListener('error', () => reject(new Error('the WebSocket did not open')));
  });
}

test('a tour of every operation, the status stream and every live message kind', { timeout: 240_000 }, async () => {
  assert.equal(typeof WebSocket, 'function', 'this Node has no WebSocket: run it with --experimental-websocket (Node 20.10 or later)');
  const admin = await call('POST', '/auth/register', { body: { email: `admin-${run}@example.com`, password } });
  let trader = await call('POST', '/auth/register', { body: { email: `trader-${run}@example.com`, password } });
  const other = await call('POST', '/auth/register', { body: { email: `other-${run}@example.com`, password } });
  const A = admin.access_token;
  trader = await call('POST', '/auth/login', { body: { email: `trader-${run}@example.com`, password } });
  trader = await call('POST', '/auth/refresh', { body: { refresh_token: trader.refresh_token } });
  const T = trader.access_token;

  // The seed's exchange, verbatim, first on a fresh connection; then every other channel.
  socket = await connect(T);
  // A browser offers permessage-deflate; the gateway takes it (larger messages arrive compressed).
  assert.match(socket.extensions, /permessage-deflate/);
  socket.send('{"type":"subscribe","symbol":"BTCUSDT"}');
  await call('GET', '/me', { token: T });
  await call('GET', '/assets', { token: T });
  await call('GET', '/assets/{symbol}', { token: T, params: { symbol: 'BTCUSDT' } });
  await call('GET', '/agents', { token: T });
  await call('GET', '/strategy-templates', { token: T });

  const document = {
    version: 1, name: 'SMA cross',
    parameters: { fast: { int: [2, 20], default: 3 }, slow: { int: [5, 40], default: 8 } },
    signals: { f: { indicator: 'sma', period: '$fast' }, s: { indicator: 'sma', period: '$slow' } },
    rules: { entry_long: [{ left: 'f', op: 'crosses_above', right: 's' }], exit_long: [{ left: 'f', op: 'crosses_below', right: 's' }] },
  };
  await call('POST', '/strategies/validate', { token: T, body: { document } });
  const saved = await call('POST', '/strategies', { token: T, body: { document } });
  await call('PUT', '/strategies/{id}', { token: T, params: { id: saved.id }, body: { document: { ...document, name: 'SMA cross 2' } } });
  await call('GET', '/strategies', { token: T });
  await call('GET', '/strategies/{id}', { token: T, params: { id: saved.id } });

  const bot = await call('POST', '/bots', {
    token: T,
    body: {
      name: 'contract', symbol: 'BTCUSDT', timeframe: '1m', strategy: { name: 'trend_following', consensus_threshold: 0.01 },
      risk: { risk_per_trade: 0.01, stop_loss_pct: 0.05, take_profit_pct: 0.1 },
    },
  });
  await call('POST', '/bots/{id}/start', { token: T, params: { id: bot.id } });
  for (const text of [
    '{"type":"subscribe","channel":"candles","symbol":"BTCUSDT","timeframe":"1m"}',
    '{"type":"subscribe","channel":"indicators","symbol":"BTCUSDT","timeframe":"1m"}',
    `{"type":"subscribe","channel":"decisions","bot_id":"${bot.id}"}`,
    '{"type":"subscribe","channel":"orders"}', '{"type":"subscribe","channel":"positions"}', '{"type":"subscribe","channel":"backtests"}',
    '{"type":"ping"}', 'not json',
  ]) socket.send(text);
  await call('GET', '/bots', { token: T });
  await call('GET', '/bots/{id}', { token: T, params: { id: bot.id } });
  await firstEvent('/bots/{id}/status-stream', { id: bot.id }, T);
  await call('POST', '/chat', { token: T, body: { message: 'buy when RSI is below 30' } });

  await call('POST', '/trade', { token: T, body: { symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: '0.01' } });
  await call('POST', '/trade', { token: T, body: { symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: '0.01' } });
  await call('GET', '/orders', { token: T });
  await call('GET', '/trades', { token: T });
  await call('GET', '/portfolio', { token: T });
  await call('GET', '/portfolio/metrics', { token: T });
  await call('GET', '/config', { token: T });
  await call('PUT', '/config', { token: T, body: { theme: 'dark' } });
  const key = await call('POST', '/keys', { token: T, body: { label: 'contract', scopes: ['read'] } });
  await call('GET', '/keys', { token: T });
  await call('DELETE', '/keys/{id}', { token: T, params: { id: key.id } });

  const id = other.user.id;
  await call('GET', '/users', { token: A });
  await call('PUT', '/users/{id}/role', { token: A, params: { id }, body: { role: 'viewer' } });
  await call('PUT', '/users/{id}/disabled', { token: A, params: { id }, body: { disabled: true } });
  await call('PUT', '/users/{id}/disabled', { token: A, params: { id }, body: { disabled: false } });
  const reset = await call('POST', '/users/{id}/password-reset', { token: A, params: { id } });
  await call('POST', '/auth/reset', { body: { reset_token: reset.token, new_password: 'another horse battery' } });
  await call('POST', '/invites', { token: A, body: { role: 'trader' } });
  await call('GET', '/audit', { token: A, query: '?service=gateway' });
  await call('GET', '/risk/kill-switch', { token: A });
  await call('POST', '/risk/kill-switch', { token: A, body: { engaged: true, reason: 'contract test' } });
  await call('POST', '/risk/kill-switch', { token: A, body: { engaged: false } });

  // Enough simulated history (a 1-minute bar every half second) for a backtest and an analysis.
  await eventually('40 bars of history', 90, async () =>
    (await call('GET', '/assets/{symbol}/history', { token: T, params: { symbol: 'BTCUSDT' }, query: '?timeframe=1m&limit=100' })).candles.length >= 40);
  const strategy = { name: 'sma_cross', parameters: { fast: 3, slow: 8 } };
  const backtest = await call('POST', '/backtests', { token: T, body: { symbol: 'BTCUSDT', timeframe: '1m', strategy } });
  await eventually('the backtest', 60, async () => (await call('GET', '/backtests/{id}', { token: T, params: { id: backtest.id } })).status === 'done');
  await call('GET', '/backtests', { token: T });
  await call('GET', '/backtests/{id}/trades', { token: T, params: { id: backtest.id } });
  await call('GET', '/backtests/{id}/equity', { token: T, params: { id: backtest.id } });
  const optimization = await call('POST', '/optimizations', {
    token: T, body: { symbol: 'BTCUSDT', timeframe: '1m', strategy: { name: 'sma_cross' }, ranges: [{ name: 'fast', from: 2, to: 4, step: 1 }] },
  });
  await eventually('the optimisation', 60, async () =>
    (await call('GET', '/optimizations/{id}', { token: T, params: { id: optimization.id } })).status === 'done');
  await call('GET', '/optimizations', { token: T });
  await call('POST', '/analyze', { token: T, body: { symbol: 'BTCUSDT', timeframe: '1m', strategy } });

  await eventually(() => `live messages of every kind (missing: ${kindsWanted.filter((kind) => !seen().has(kind)).join(', ')})`, 90,
    async () => kindsWanted.every((kind) => seen().has(kind)));
  socket.close();
  const decisions = (await call('GET', '/bots/{id}/decisions', { token: T, params: { id: bot.id } })).decisions;
  await call('GET', '/bots/{id}/decisions/{decision_id}', { token: T, params: { id: bot.id, decision_id: decisions[0].id } });
  await call('POST', '/decisions/{id}/replay', { token: T, params: { id: decisions[0].id }, body: {} });
  await call('GET', '/ai/usage', { token: T });
  await call('POST', '/bots/{id}/stop', { token: T, params: { id: bot.id } });
  const changed = await call('POST', '/auth/password', { token: T, body: { current_password: password, new_password: 'a new horse battery' } });
  await call('DELETE', '/backtests/{id}', { token: T, params: { id: backtest.id } });
  await call('DELETE', '/optimizations/{id}', { token: T, params: { id: optimization.id } });
  await call('DELETE', '/bots/{id}', { token: T, params: { id: bot.id } });
  await call('DELETE', '/users/{id}', { token: A, params: { id } });
  await call('POST', '/auth/logout', { token: changed.access_token, body: { refresh_token: changed.refresh_token } });

  // The seed's unversioned paths are aliases of v1: the same answers.
  assert.deepEqual(await call('GET', '/openapi.json', { version: '/api' }), await call('GET', '/openapi.json'));
  assert.deepEqual(await call('GET', '/asyncapi.json', { version: '/api' }), await call('GET', '/asyncapi.json'));
  assert.deepEqual((await call('GET', '/strategy-templates', { version: '/api', token: A })), await call('GET', '/strategy-templates', { token: A }));
});

test('every operation in the OpenAPI document answered 2xx in the tour', async () => {
  const spec = await call('GET', '/openapi.json');
  const missing = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const method of Object.keys(operations)) if (!answered.has(`${method.toUpperCase()} ${path}`)) missing.push(`${method.toUpperCase()} ${path}`);
  }
  assert.deepEqual(missing, [], 'operations the tour did not reach: add them to it');
});

const earliest = Date.UTC(2000, 0, 1);
const latest = Date.UTC(2100, 0, 1);
const isTimeKey = (key) => key === 'timestamp' || key === 'time' || key === 'at' || key.endsWith('_at') || key.endsWith('_time');

/**
 * What is wrong in `value` (parsed by JSON.parse) for a JavaScript client, by JSON pointer. A
 * `document` (OpenAPI, AsyncAPI: keys are field names, not fields) is checked for integers only.
 */
function problems(value, pointer = '', key = undefined, document = false) {
  const out = [];
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    out.push(`${pointer}: ${value} is beyond 2^53; JSON.parse rounded it`);
  }
  if (document) {
    if (Array.isArray(value)) value.forEach((item, i) => out.push(...problems(item, `${pointer}/${i}`, undefined, true)));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...problems(v, `${pointer}/${k}`, k, true));
    return out;
  }
  if (key !== undefined && isTimeKey(key)) {
    if (!(Number.isSafeInteger(value) && value >= earliest && value < latest && !Number.isNaN(new Date(value).getTime()))) {
      out.push(`${pointer}: ${JSON.stringify(value)} is not a time in Unix milliseconds`);
    }
  }
  if (key !== undefined && (key.endsWith('_ns') || key === 'ts' || key.endsWith('_ts')) && !(typeof value === 'string' && /^-?[0-9]+$/.test(value))) {
    out.push(`${pointer}: ${JSON.stringify(value)}: nanoseconds travel as a string of digits`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...problems(item, `${pointer}/${i}`)));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...problems(v, `${pointer}/${k}`, k));
  }
  return out;
}

test('the checks catch what they are for', () => {
  assert.deepEqual(problems(JSON.parse('{"timestamp":1796316351061353670}')).length, 2);
  assert.deepEqual(problems(JSON.parse('{"created_at":1796316351}')).length, 1);
  assert.deepEqual(problems(JSON.parse('{"opened_at_ns":1796316351061}')).length, 1);
  assert.deepEqual(problems(JSON.parse('{"equity":[{"time":1796316351061353670,"equity":"1"}]}')).length, 2);
  assert.deepEqual(problems(JSON.parse('{"created_at":1796316351061,"opened_at_ns":"1796316351061353670","n":9007199254740991}')), []);
});

test('every answer and message is safe for JavaScript: integers within 2^53, times in milliseconds, nanoseconds as text', () => {
  assert.ok(answers.length >= 60 && live.length >= kindsWanted.length, `${answers.length} answers and ${live.length} messages recorded`);
  const found = [];
  for (const { what, text } of answers) {
    for (const p of problems(JSON.parse(text), '', undefined, /(openapi|asyncapi)\.json/.test(what))) found.push(`${what}: ${p}`);
  }
  for (const text of live) for (const p of problems(JSON.parse(text))) found.push(`ws ${JSON.parse(text).type}: ${p}`);
  assert.deepEqual(found, []);
  console.log(`checked ${answers.length} answers and ${live.length} live messages`);
});

test("the seed's WebSocket exchange: subscribe with BTCUSDT, market_update in the seed's shape", () => {
  const messages = live.map((text) => JSON.parse(text));
  assert.deepEqual(messages[0], { type: 'subscribed', channel: 'market:BTC/USDT' });
  const update = messages.find((m) => m.type === 'market_update');
  assert.ok(update, 'no market_update');
  const { symbol, price, change, timestamp } = update.data;
  assert.equal(symbol, 'BTCUSDT');
  assert.equal(update.data.canonical_symbol, 'BTC/USDT');
  assert.equal(typeof price, 'number');
  assert.equal(typeof change, 'number');
  assert.ok(Number.isSafeInteger(timestamp) && timestamp > earliest && timestamp < latest, `timestamp ${timestamp}`);
  assert.equal(new Date(timestamp).getTime(), timestamp);
  assert.equal(BigInt(update.data.timestamp_ns) / 1_000_000n, BigInt(timestamp));
});
