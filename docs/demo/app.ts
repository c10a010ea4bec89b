/**
 * The demo page (`npm run demo` bundles it with esbuild, rx-sse straight from src/).
 *
 * Four endpoints, seven panels. Each endpoint is shared across tabs (`share: { crossTab: true }`):
 * the three panels fed by `/sse/live` and the ledger make one connection between them, and every
 * tab of the demo in this browser shares the same four connections, well under the browser's six
 * per host however many tabs are open. The header counts the tabs.
 */
import { BehaviorSubject, map, scan, startWith, switchMap, timer, type Observable } from 'rxjs';
import { z } from 'zod';
import {
  createSseClient,
  defineEndpoint,
  ofEvent,
  type SseConnectionState,
} from '../../src/index.js';
import { Ledger, badge, minutesSeconds } from './model.js';

// ---------------------------------------------------------------------------------------------
// Tokens for the authenticated stream: the server issues short-lived ones.

interface Token {
  readonly value: string;
  readonly number: number;
  readonly expiresAt: number;
}

interface Rotation {
  readonly token: Token;
  readonly why: string;
  readonly at: number;
}

class TokenSession {
  private current: Token | undefined;
  private pending: Promise<Token> | undefined;
  readonly rotations = new BehaviorSubject<readonly Rotation[]>([]);
  refreshes = 0;

  /** The current token; the first call fetches one. Read before every connection attempt. */
  async token(): Promise<string> {
    return (this.current ?? (await this.refresh('first token'))).value;
  }

  /** Fetches a new token, once for all callers at a time. */
  refresh(why: string): Promise<Token> {
    this.pending ??= fetch('/api/token', { method: 'POST' })
      .then(
        (response) =>
          response.json() as Promise<{ token: string; number: number; expiresAt: number }>,
      )
      .then(({ token, number, expiresAt }) => {
        this.current = { value: token, number, expiresAt };
        this.rotations.next(
          [{ token: this.current, why, at: Date.now() }, ...this.rotations.value].slice(0, 4),
        );
        return this.current;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}

const session = new TokenSession();

// ---------------------------------------------------------------------------------------------
// The endpoints: described once, validated with zod.

const Promo = z.object({
  round: z.number().int(),
  state: z.enum(['on', 'off']),
  endsAt: z.number(),
  duration: z.number(),
  total: z.number(),
  orders: z.number().int(),
});

const endpoints = {
  chat: defineEndpoint({
    path: '/sse/chat',
    events: {
      message: z.object({ user: z.string(), text: z.string(), at: z.number() }),
      typing: z.object({ user: z.string() }),
    },
    // Every tab shares one connection; a tab opened later gets the last messages at once.
    share: { crossTab: true, replay: 12 },
  }),
  danmaku: defineEndpoint({
    path: '/sse/danmaku',
    events: {
      comment: z.object({ text: z.string(), color: z.string(), lane: z.number().int().min(0) }),
    },
    share: { crossTab: true },
  }),
  live: defineEndpoint({
    path: '/sse/live',
    events: {
      online: z.object({ count: z.number().int(), history: z.array(z.number()).optional() }),
      sale: z.object({
        item: z.string(),
        amount: z.number(),
        total: z.number(),
        orders: z.number().int(),
        round: z.number().int(),
      }),
      promo: Promo,
      like: z.object({ total: z.number().int() }),
      notification: z.object({ title: z.string(), at: z.number() }),
    },
    share: { crossTab: true, replay: 10 },
  }),
  secure: defineEndpoint({
    path: '/sse/secure',
    events: {
      session: z.object({ token: z.number().int(), expiresAt: z.number(), ttl: z.number() }),
      metric: z.object({ requestsPerSecond: z.number(), at: z.number() }),
    },
    // Resolved before every connection attempt: a reconnect never reuses a stale header…
    headers: async () => ({ authorization: `Bearer ${await session.token()}` }),
    // …and a 401 gets one refresh and one more attempt, at once. Across tabs, the tab holding the
    // connection sends its token; the others only receive.
    onUnauthorized: async (error) => {
      session.refreshes += 1;
      await session.refresh(`after ${error.status}: ${reason(error.body)}`);
    },
    share: { crossTab: true },
  }),
};
type StreamName = keyof typeof endpoints;
const STREAMS: readonly StreamName[] = ['chat', 'danmaku', 'live', 'secure'];

const api = createSseClient({
  retry: { maxDelay: 5000 }, // a demo should come back quickly
  idleTimeout: 30_000, // the server sends a heartbeat every 10 s
  endpoints,
});

function reason(body: string): string {
  try {
    return (JSON.parse(body) as { error?: string }).error ?? 'unauthorized';
  } catch {
    return 'unauthorized';
  }
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

function $(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing`);
  return element;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className !== undefined) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  element.append(...children);
  return element;
}

const clock = (at: number): string =>
  new Date(at).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US');

function prepend(list: HTMLElement, item: HTMLElement, keep: number): void {
  list.prepend(item);
  while (list.children.length > keep) list.lastElementChild?.remove();
}

// ---------------------------------------------------------------------------------------------
// Connection state and the delivery ledger, per stream.

interface StreamWatch {
  readonly state: BehaviorSubject<SseConnectionState>;
  readonly ledger: Ledger;
  reconnects: number;
}

/** One value per stream. */
function perStream<T>(make: (name: StreamName) => T): Record<StreamName, T> {
  return {
    chat: make('chat'),
    danmaku: make('danmaku'),
    live: make('live'),
    secure: make('secure'),
  };
}

const watches = perStream<StreamWatch>(() => ({
  state: new BehaviorSubject<SseConnectionState>({ status: 'idle' }),
  ledger: new Ledger(),
  reconnects: 0,
}));

const ledgerBody = $('ledger');
const ledgerCells = perStream((name) => {
  const cells = {
    badge: h('span', { className: 'badge' }),
    received: h('td'),
    expected: h('td'),
    gaps: h('td'),
    duplicates: h('td'),
    reconnects: h('td'),
  };
  const row = h(
    'tr',
    {},
    h('td', {}, h('code', { text: name }), cells.badge),
    cells.received,
    cells.expected,
    cells.gaps,
    cells.duplicates,
    cells.reconnects,
  );
  row.dataset['stream'] = name;
  ledgerBody.append(row);
  return cells;
});

let ledgerFrame = 0;
function renderLedger(): void {
  ledgerFrame = 0;
  let total = 0;
  let problems = 0;
  let reconnects = 0;
  for (const name of STREAMS) {
    const { ledger } = watches[name];
    const cells = ledgerCells[name];
    cells.received.textContent = count.format(ledger.received);
    cells.expected.textContent = count.format(ledger.expected);
    for (const key of ['gaps', 'duplicates'] as const) {
      cells[key].textContent = String(ledger[key]);
      cells[key].className = ledger[key] === 0 ? 'zero' : 'nonzero';
    }
    cells.reconnects.textContent = String(watches[name].reconnects);
    total += ledger.received;
    problems += ledger.gaps + ledger.duplicates;
    reconnects += watches[name].reconnects;
  }
  const verdict = $('verdict');
  verdict.dataset['ok'] = String(problems === 0);
  verdict.textContent = problems === 0 ? 'exactly once' : `${problems} delivery problems`;
  $('ledger-summary').textContent =
    `${count.format(total)} events received, ${problems === 0 ? 'none' : problems} lost or ` +
    `duplicated, across ${reconnects} reconnects.`;
}
const scheduleLedger = (): void => {
  ledgerFrame ||= requestAnimationFrame(renderLedger);
};

for (const name of STREAMS) {
  const watch = watches[name];
  watch.state.subscribe((state) => {
    if (state.status === 'reconnecting') watch.reconnects += 1;
    const { text, tone } = badge(state);
    const targets = [
      ledgerCells[name].badge,
      ...document.querySelectorAll<HTMLElement>(`[data-badge="${name}"]`),
    ];
    for (const element of targets) {
      // The ledger's badges are narrow: the state without the details.
      element.textContent =
        element === ledgerCells[name].badge ? (text.split(' · ')[0] ?? text) : text;
      element.dataset['tone'] = tone;
      element.dataset['status'] = state.status;
      element.title = state.status === 'reconnecting' ? String(state.error) : '';
    }
    scheduleLedger();
  });
}

// The ledger's own subscription to each stream carries the state observer. The panels below
// call the same endpoints without arguments, so they share its connection.
const ledgerSources: Record<StreamName, Observable<{ readonly id: string | undefined }>> = {
  chat: api.chat({ state: watches.chat.state }),
  danmaku: api.danmaku({ state: watches.danmaku.state }),
  live: api.live({ state: watches.live.state }),
  secure: api.secure({ state: watches.secure.state }),
};
for (const name of STREAMS) {
  ledgerSources[name].subscribe({
    next: (event) => {
      watches[name].ledger.record(event.id);
      scheduleLedger();
    },
    error: (error: unknown) => console.warn(`${name} stream failed`, error),
  });
}

// ---------------------------------------------------------------------------------------------
// Chat room with typing indicator

const messages = $('messages');
const hue = (name: string): number =>
  [...name].reduce((sum, char) => sum + char.charCodeAt(0) * 37, 0) % 360;

api
  .chat()
  .pipe(ofEvent('message'))
  .subscribe(({ data }) => {
    const avatar = h('span', { className: 'avatar', text: data.user.slice(0, 1) });
    avatar.style.background =
      data.user === 'You' ? 'var(--accent)' : `hsl(${hue(data.user)} 62% 52%)`;
    const item = h(
      'li',
      { className: data.user === 'You' ? 'message mine' : 'message' },
      avatar,
      h(
        'div',
        {},
        h('div', { className: 'who', text: data.user }, h('time', { text: clock(data.at) })),
        h('p', { text: data.text }),
      ),
    );
    messages.append(item);
    while (messages.children.length > 60) messages.firstElementChild?.remove();
    messages.scrollTop = messages.scrollHeight;
  });

const typing = $('typing');
api
  .chat()
  .pipe(
    ofEvent('typing', 'message'),
    switchMap((event) =>
      event.event === 'typing'
        ? timer(3000).pipe(
            map(() => ''),
            startWith(event.data.user),
          )
        : timer(0).pipe(map(() => '')),
    ),
  )
  .subscribe((user) => {
    typing.replaceChildren(
      ...(user === ''
        ? []
        : [`${user} is typing`, h('span', { className: 'dots' }, h('i'), h('i'), h('i'))]),
    );
  });

$('composer').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const input = $('chat-input') as HTMLInputElement;
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  void fetch('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
});

// ---------------------------------------------------------------------------------------------
// Danmaku: bullet comments across a video-like screen

const bullets = $('bullets');
const MAX_LANES = 8;
const SPEED = 150; // px per second: equal speeds never overtake each other
/** When each lane is free again: the previous bullet's tail has entered the screen. */
const laneFreeAt: number[] = new Array<number>(MAX_LANES).fill(0);
let received = 0;
api
  .danmaku()
  .pipe(ofEvent('comment'))
  .subscribe(({ data }) => {
    $('bullet-count').textContent = count.format(++received);
    const now = performance.now();
    const lanes = Math.max(2, Math.min(MAX_LANES, Math.floor(bullets.clientHeight / 34)));
    const preferred = data.lane % lanes;
    const lane = [...Array(lanes).keys()]
      .map((i) => (preferred + i) % lanes)
      .find((i) => (laneFreeAt[i] ?? 0) <= now);
    if (lane === undefined) return; // the screen is full: like any danmaku player, skip it
    const bullet = h('span', { className: 'bullet', text: data.text });
    bullet.style.color = data.color;
    bullet.style.top = `${(lane / lanes) * 100}%`;
    bullets.append(bullet);
    const distance = bullets.clientWidth + bullet.offsetWidth;
    laneFreeAt[lane] = now + ((bullet.offsetWidth + 32) / SPEED) * 1000;
    bullet.style.setProperty('--distance', `-${distance}px`);
    bullet.style.animationDuration = `${distance / SPEED}s`;
    bullet.classList.add('flying'); // start once the distance is known
    bullet.addEventListener('animationend', () => bullet.remove());
  });

let seconds = 0;
setInterval(() => {
  seconds += 1;
  $('clock').textContent = `${minutesSeconds(seconds + 754)} / 45:00`;
  $('progress').style.width = `${(((seconds + 754) % 2700) / 2700) * 100}%`;
}, 1000);

// ---------------------------------------------------------------------------------------------
// Online count, flash sale, likes and notifications: three panels, one shared connection

const online$ = api.live().pipe(ofEvent('online'));
online$.subscribe(({ data }) => {
  $('online').textContent = count.format(data.count);
  $('watching').textContent = count.format(Math.round(data.count * 0.37));
});
online$
  .pipe(
    // A (re)connection brings the recent history; live updates extend it.
    scan(
      (history: readonly number[], { data }) => data.history ?? [...history, data.count].slice(-60),
      [],
    ),
  )
  .subscribe((history) => {
    const min = Math.min(...history);
    const max = Math.max(...history);
    const points = history.map((value, i) => {
      const x = history.length === 1 ? 120 : (i / (history.length - 1)) * 120;
      const y = max === min ? 18 : 33 - ((value - min) / (max - min)) * 30;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    $('spark-line').setAttribute('points', points.join(' '));
    $('online-range').textContent =
      `last minute: low ${count.format(min)} · high ${count.format(max)}`;
  });

let promo: z.infer<typeof Promo> | undefined;
api
  .live()
  .pipe(ofEvent('sale', 'promo'))
  .subscribe((event) => {
    if (event.event === 'promo') {
      promo = event.data;
      $('round').textContent = `· round ${promo.round}`;
      $('sales-total').textContent = money.format(promo.total);
      $('orders').textContent = `${count.format(promo.orders)} orders`;
      if (promo.state === 'on') $('order-list').replaceChildren();
      return;
    }
    const sale = event.data;
    $('sales-total').textContent = money.format(sale.total);
    $('orders').textContent = `${count.format(sale.orders)} orders`;
    if (promo !== undefined) promo = { ...promo, total: sale.total, orders: sale.orders };
    prepend(
      $('order-list'),
      h(
        'li',
        {},
        h('span', { text: sale.item }),
        h('b', { text: `+${money.format(sale.amount)}` }),
      ),
      4,
    );
  });
setInterval(() => {
  if (promo === undefined) return;
  const left = (promo.endsAt - Date.now()) / 1000;
  $('promo-left').textContent =
    promo.state === 'on'
      ? `30 % off · ends in ${minutesSeconds(left)}`
      : `next sale in ${minutesSeconds(left)}`;
  $('promo-bar').style.width =
    `${Math.max(0, Math.min(100, (left * 1000 * 100) / promo.duration))}%`;
}, 500);

const like = $('like');
api
  .live()
  .pipe(ofEvent('like'))
  .subscribe(({ data }) => {
    $('likes').textContent = count.format(data.total);
    like.classList.remove('pop');
    void like.offsetWidth; // restart the animation
    like.classList.add('pop');
  });

let unread = 0;
const renderUnread = (): void => {
  const badgeCount = $('unread');
  badgeCount.hidden = unread === 0;
  badgeCount.textContent = unread > 99 ? '99+' : String(unread);
};
api
  .live()
  .pipe(ofEvent('notification'))
  .subscribe(({ data }) => {
    unread += 1;
    renderUnread();
    prepend(
      $('notes'),
      h('li', {}, h('span', { text: data.title }), h('time', { text: clock(data.at) })),
      3,
    );
  });
$('mark-read').addEventListener('click', () => {
  unread = 0;
  renderUnread();
});

// ---------------------------------------------------------------------------------------------
// The authenticated stream: private metrics, tokens that expire

/** The token the server accepted for the current connection (told in a `session` event). */
let accepted: { token: number; expiresAt: number; ttl: number } | undefined;
api.secure().subscribe((event) => {
  if (event.event === 'session') {
    accepted = event.data;
    $('token').textContent = `token #${accepted.token}`;
    $('ttl').textContent = String(Math.round(accepted.ttl / 1000));
    return;
  }
  $('metric').textContent = count.format(event.data.requestsPerSecond);
});
setInterval(() => {
  if (accepted === undefined) return;
  const left = accepted.expiresAt - Date.now();
  $('token-left').textContent =
    left > 0 ? `expires in ${minutesSeconds(Math.ceil(left / 1000))}` : 'expired';
  $('token-bar').style.width = `${Math.max(0, Math.min(100, (left * 100) / accepted.ttl))}%`;
}, 250);

session.rotations.subscribe((rotations) => {
  $('rotations').replaceChildren(
    ...(rotations.length === 0
      ? [h('li', { className: 'quiet', text: 'No token fetched here: another tab sends its own.' })]
      : []),
    ...rotations.map((rotation) =>
      h(
        'li',
        {},
        h(
          'span',
          {},
          h('b', { text: `token #${rotation.token.number}` }),
          ' ',
          h('span', { className: 'why', text: rotation.why }),
        ),
        h('time', { text: clock(rotation.at) }),
      ),
    ),
  );
  document.body.dataset['rotations'] = String(session.refreshes);
});

// ---------------------------------------------------------------------------------------------
// How many tabs of the demo share these connections: each tab says hello, then "still here"
// every second, on a channel of its own (the app's, not rx-sse's).

function countTabs(render: (tabs: number) => void): void {
  if (typeof BroadcastChannel !== 'function') {
    render(1);
    return;
  }
  const channel = new BroadcastChannel('rx-sse-demo-tabs');
  const me = Math.random().toString(36).slice(2);
  const others = new Map<string, number>();
  const update = (): void => {
    for (const [tab, at] of others) if (Date.now() - at > 3500) others.delete(tab);
    render(others.size + 1);
  };
  channel.onmessage = ({ data }: MessageEvent<{ tab: string; hello?: true; bye?: true }>) => {
    if (data.bye) others.delete(data.tab);
    else others.set(data.tab, Date.now());
    if (data.hello) channel.postMessage({ tab: me });
    update();
  };
  channel.postMessage({ tab: me, hello: true });
  setInterval(() => {
    channel.postMessage({ tab: me });
    update();
  }, 1000);
  addEventListener('pagehide', () => channel.postMessage({ tab: me, bye: true }));
  update();
}

countTabs((tabs) => {
  const element = $('tabs');
  element.dataset['tabs'] = String(tabs);
  element.replaceChildren(
    h('b', { text: String(tabs) }),
    tabs === 1
      ? ' tab · open another: it shares these connections'
      : ` tabs share these ${STREAMS.length} connections`,
  );
});

// ---------------------------------------------------------------------------------------------
// The kill button and what the server sees

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(text: string): void {
  const element = $('toast');
  element.textContent = text;
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (element.hidden = true), 3500);
}

$('kill').addEventListener('click', () => {
  void fetch('/api/kill', { method: 'POST' })
    .then((response) => response.json() as Promise<{ killed: number }>)
    .then(({ killed }) =>
      toast(`Destroyed ${killed} server connections. Watch the badges and the ledger.`),
    )
    .catch(() => toast('The server did not answer'));
});

interface ServerStats {
  readonly open: Record<string, number>;
  readonly resumes: number;
  readonly tokensIssued: number;
  readonly unauthorized: number;
}

function pollStats(): void {
  fetch('/api/stats')
    .then((response) => response.json() as Promise<ServerStats>)
    .then((stats) => {
      const open = Object.values(stats.open).reduce((sum, n) => sum + n, 0);
      $('server-stats').replaceChildren(
        'server: ',
        h('b', { text: String(open) }),
        ` open SSE connections (${STREAMS.length} streams, 7 panels, every tab)`,
        h('br'),
        h('b', { text: String(stats.resumes) }),
        ' resumes · ',
        h('b', { text: String(stats.unauthorized) }),
        ' × HTTP 401',
      );
    })
    .catch(() => $('server-stats').replaceChildren('server unreachable'))
    .finally(() => setTimeout(pollStats, 1500));
}
pollStats();
