export { createProviderClient, errorFor, type ProviderClientOptions } from './client.js';
export { syncCalendars, readCalendars, calendarsKey, type StoredCalendars } from './calendar-sync.js';
