// The contract's request and subscription names without its schemas, for the Electron preload:
// it needs only the names, and the sandboxed preload should not carry the schema library.
// contract.ts checks at compile time that these lists match its own keys exactly.
export const requestNames = [
  'getSnapshot',
  'getNetworkDetails',
  'setConnectionUri',
  'attachNic',
  'moveNic',
  'detachNic',
  'reserveAddress',
  'updateReservation',
  'removeReservation',
  'addDnsHost',
  'updateDnsHost',
  'removeDnsHost',
  'getHostBridgeOverview',
  'planHostBridge',
  'applyHostBridge',
  'checkHostBridgeGateway',
  'getHostBridgeTransaction',
  'confirmHostBridge',
  'rollbackHostBridge',
  'persistHostBridge',
  'getHostRoutes',
  'createNetwork',
  'updateNetwork',
  'startNetwork',
  'stopNetwork',
  'setNetworkAutostart',
  'deleteNetwork',
] as const;
export const subscriptionNames = ['snapshot'] as const;
