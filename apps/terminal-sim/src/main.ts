import { runTerminalSim } from './program';

runTerminalSim(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
