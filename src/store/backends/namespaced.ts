import type { StoreBackend } from '../types.js';

/** A backend scoped to one namespace; `clearNamespace` drops every value, set and claim under it (tests, resets). */
export interface NamespacedBackend extends StoreBackend {
  readonly namespace: string;
  clearNamespace(): Promise<void>;
}
