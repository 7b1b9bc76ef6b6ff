// Deterministic random mutations of topology texts, for the fuzz and differential tests.

export { mulberry32 } from '../../../bench/generate';

// Characters that matter to YAML and to the topology format, plus some that do not.
const ALPHABET = ' \n\t:-#{}[],"\'&*!|>%@`?.\\/0123456789abcxyzABC_=~\u00e9\u4e2d';

/** One to three edits: delete a line, duplicate a line, insert/replace/delete characters, swap lines. */
export function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const lines = out.split('\n');
    const li = Math.floor(random() * lines.length);
    const pos = Math.floor(random() * (out.length + 1));
    const ch = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
    switch (Math.floor(random() * 7)) {
      case 0:
        lines.splice(li, 1);
        out = lines.join('\n');
        break;
      case 1:
        lines.splice(li, 0, lines[li] ?? '');
        out = lines.join('\n');
        break;
      case 2:
        out = out.slice(0, pos) + ch + out.slice(pos);
        break;
      case 3:
        out = out.slice(0, pos) + ch + out.slice(pos + 1);
        break;
      case 4:
        out = out.slice(0, pos) + out.slice(pos + 1 + Math.floor(random() * 5));
        break;
      case 5: {
        const lj = Math.floor(random() * lines.length);
        [lines[li], lines[lj]] = [lines[lj] ?? '', lines[li] ?? ''];
        out = lines.join('\n');
        break;
      }
      default:
        // Re-indent a line by one space either way.
        lines[li] = random() < 0.5 ? ` ${lines[li] ?? ''}` : (lines[li] ?? '').replace(/^ /, '');
        out = lines.join('\n');
    }
  }
  return out;
}
