// Public API of @tillgate/host-link: the frame codec, the framed TCP/TLS
// transport (both sides), and the multiplexed client link to the host.
export * from './clock';
export * from './framing';
export * from './transport';
export * from './link';
