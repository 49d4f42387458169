import { runTerminalSim } from '../program';

/** Runs the CLI in-process with captured output, as a shell would see it. */
export async function runCaptured(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runTerminalSim(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    stderrIsTty: false,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}
