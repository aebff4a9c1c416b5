// The routes of customer memory — signals (complaints, escalations, surveys, activity, billing,
// renewals) and sales-to-onboarding handoffs — for apiRoutes in one import.
export { handoffRoutes } from '../handoffs/handoffs.routes.js';
export { signalRoutes } from '../signals/signals.routes.js';
