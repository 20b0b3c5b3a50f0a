import type { AnyEvent, EventName, EventOf } from '../../shared/contract.js';

type Listener = (event: AnyEvent) => void;

/** Fan-out of contract events from services to every connected adapter. */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, payload: EventOf<E>): void {
    const event = { name, payload } as AnyEvent;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
