// The package's parent-side API: procxy(), the value checks, the errors and the public types.
export {
  AbortError,
  CallbackReleasedError,
  ChildCrashedError,
  MessageTooLargeError,
  MethodNotFoundError,
  ModuleResolutionError,
  OptionsValidationError,
  ProcxyError,
  type ProcxyErrorCode,
  ProtocolError,
  QueueFullError,
  SerializationError,
  SpawnError,
  TerminatedError,
  TimeoutError,
} from './errors.js';
export type { SerializationMode } from './modes.js';
export type { CallOptions, ProcxyOptions } from './options.js';
export { isProcxiable, validateProcxiable } from './procxiable.js';
export { procxy, type WorkerConstructor } from './procxy.js';
export { registerTransferHandler, type TransferHandler, transfer } from './transfer-entry.js';
export type {
  IsProcxiable,
  JsonProcxiable,
  PassableHandle,
  Procxiable,
  Procxy,
  ProxyControls,
  ProxyEvents,
  TransferHandledTypes,
  V8Serializable,
} from './types.js';
