import type { SseConnectionState } from 'rx-sse';
import { CONNECTION_LABELS } from './api.js';

/** Shows where a stream's connection is. `data-state` is the raw status, for styles and tests. */
export function ConnectionBadge({ state }: { readonly state: SseConnectionState }) {
  return (
    <span className="badge" data-testid="connection" data-state={state.status}>
      {CONNECTION_LABELS[state.status]}
    </span>
  );
}
