/**
 * Writes `lines` to stderr between two rows of `!`, so a synth's warning stands out of the CLI's
 * output. Not an annotation: the CLI would print it a second time with an invitation to
 * acknowledge it, and an annotation on the App also leaves a stray cdk.out/error.txt behind.
 */
export function writeBanner(lines: string[]): void {
  process.stderr.write(`\n${'!'.repeat(100)}\n${lines.join('\n')}\n${'!'.repeat(100)}\n\n`);
}
