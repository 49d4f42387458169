import { probeV1 } from '@tillgate/contracts';
import type { Decider } from '../decider/decider';
import { eventCodec, type DomainEvent } from '../decider/event-codec';

// The probe: the store's self-test aggregate (proto/tillgate/probe/v1), a
// counter that may not go above its limit. Tests and the benchmark use it.

export type ProbeEvent =
  | DomainEvent<'ProbeOpened', probeV1.ProbeOpened>
  | DomainEvent<'ProbeIncremented', probeV1.ProbeIncremented>
  | DomainEvent<'ProbeClosed', probeV1.ProbeClosed>;

export type ProbeCommand =
  | { type: 'OpenProbe'; probeId: string; label: string; limit: number }
  | { type: 'IncrementProbe'; by: number }
  | { type: 'CloseProbe' };

export type ProbeState =
  | { status: 'absent' }
  | { status: 'open'; total: number; limit: number }
  | { status: 'closed'; total: number };

export class ProbeRefused extends Error {
  constructor(readonly code: 'PROBE_EXISTS' | 'PROBE_NOT_OPEN' | 'PROBE_LIMIT_EXCEEDED') {
    super(code);
    this.name = 'ProbeRefused';
  }
}

export const probeDecider: Decider<ProbeCommand, ProbeEvent, ProbeState> = {
  initialState: () => ({ status: 'absent' }),
  decide(command, state) {
    switch (command.type) {
      case 'OpenProbe':
        if (state.status !== 'absent') throw new ProbeRefused('PROBE_EXISTS');
        return [
          {
            type: 'ProbeOpened',
            data: { probeId: command.probeId, label: command.label, limit: String(command.limit) },
          },
        ];
      case 'IncrementProbe':
        if (state.status !== 'open') throw new ProbeRefused('PROBE_NOT_OPEN');
        if (state.total + command.by > state.limit) throw new ProbeRefused('PROBE_LIMIT_EXCEEDED');
        return [
          {
            type: 'ProbeIncremented',
            data: { by: String(command.by), total: String(state.total + command.by) },
          },
        ];
      case 'CloseProbe':
        if (state.status !== 'open') return [];
        return [{ type: 'ProbeClosed', data: { total: String(state.total) } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ProbeOpened':
        return { status: 'open', total: 0, limit: Number(event.data.limit) };
      case 'ProbeIncremented':
        return state.status === 'open' ? { ...state, total: Number(event.data.total) } : state;
      case 'ProbeClosed':
        return { status: 'closed', total: Number(event.data.total) };
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  },
};

export const probeCodec = eventCodec<ProbeEvent>({
  ProbeOpened: { protoName: 'tillgate.probe.v1.ProbeOpened', codec: probeV1.ProbeOpened },
  ProbeIncremented: {
    protoName: 'tillgate.probe.v1.ProbeIncremented',
    codec: probeV1.ProbeIncremented,
  },
  ProbeClosed: { protoName: 'tillgate.probe.v1.ProbeClosed', codec: probeV1.ProbeClosed },
});
