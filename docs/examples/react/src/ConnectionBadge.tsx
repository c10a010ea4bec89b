import type { SseConnectionState } from 'rx-sse';

const LABELS: Record<SseConnectionState['status'], string> = {
  idle: 'idle',
  connecting: 'connecting…',
  open: 'live',
  reconnecting: 'reconnecting…',
  paused: 'paused',
  closed: 'offline',
};

/** Shows where a stream's connection is. `data-state` is the raw status, for styles and tests. */
export function ConnectionBadge({ state }: { readonly state: SseConnectionState }) {
  return (
    <span className="badge" data-testid="connection" data-state={state.status}>
      {LABELS[state.status]}
    </span>
  );
}
