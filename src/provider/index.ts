export { createProviderClient, errorFor, type ProviderClientOptions } from './client.js';
export { syncCalendars, type CalendarSink } from './calendar-sync.js';
