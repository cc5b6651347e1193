// The y/N question of the prune commands (Docker's wording); anything but y/Y is a no, and so is
// the end of stdin (no terminal, `< /dev/null`): readline's question would otherwise never settle.
import { createInterface } from 'node:readline/promises';

export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      rl.question(question).then(resolve, () => resolve(''));
    });
    return /^[yY]$/.test(answer.trim());
  } finally {
    rl.close();
  }
}
