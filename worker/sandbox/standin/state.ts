/**
 * Where the stand-in keeps what it issued and recorded (tokens, certifications, identity
 * verifications). A Durable Object's storage is one (the sandbox: every isolate sees the same
 * records); `memoryState()` is the other (the tests' fakes, the bench's Node server).
 */
export interface StandInState {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(entries: Record<string, T>): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export function memoryState(): StandInState {
  const entries = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => entries.get(key) as T | undefined,
    put: async (values) => {
      for (const [key, value] of Object.entries(values)) entries.set(key, value);
    },
    delete: async (key) => entries.delete(key),
  };
}
