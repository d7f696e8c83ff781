// procxy/transfer: what worker modules import to move binaries and register custom types, without the parent's API.
export { transfer } from './transfer.js';
export { registerTransferHandler, type TransferHandler } from './transfer-handlers.js';
