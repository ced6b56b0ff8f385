// The `pipeline` command line: parses arguments and dispatches to the engine's commands.
export async function main(argv: string[]): Promise<number> {
  console.error(`pipeline: not implemented yet (${argv.join(' ')})`);
  return 2;
}
