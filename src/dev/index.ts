export { devRoutes, type DevRoutesDeps } from './routes.js';
export { createDevSender } from './sender.js';
export { DevMailbox, defaultDevMailbox, type DevPushed } from './mailbox.js';
export { demoBannerLines } from './banner.js';
