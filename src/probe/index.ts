export { runExchange, classifyTransportError, type ProbeOptions } from './exchange.ts';
export type { ExchangeRequest, ExchangeResult, ExchangeEvent, ExchangeTiming, ProbeSubscriber, RuntimeRole } from './types.ts';
export { decodeCaptured, describeBody } from './decode.ts';
