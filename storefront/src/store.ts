import { useSyncExternalStore } from "react";

/** A value shared across views, with a hook that re-renders on change (no context provider needed). */
export interface Store<T> {
  get(): T;
  set(value: T): void;
  use(): T;
}

/** A store, kept in localStorage under `key` when given (tokens and the trace switch survive a reload). */
export function createStore<T>(initial: T, key?: string): Store<T> {
  let value: T = key ? (read<T>(key) ?? initial) : initial;
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    get: () => value,
    set(next) {
      value = next;
      if (key) localStorage.setItem(key, JSON.stringify(next));
      for (const listener of listeners) listener();
    },
    use: () => useSyncExternalStore(subscribe, () => value),
  };
}

function read<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}
