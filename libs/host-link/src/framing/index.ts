export {
  DEFAULT_MAX_FRAME_LENGTH,
  FRAME_HEADER_LENGTH,
  FrameDecoder,
  MAX_FRAME_LENGTH,
  encodeFrame,
} from './frame.codec';
export { FrameError, type FrameErrorCode } from './frame.error';
