// The name of the file a live host is imported into: the host's label made a file name, not taken yet.
// No `vscode` here (unit-tested).

export function importFileName(label: string, taken: (name: string) => boolean): string {
  const base = label.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'docker-host';
  for (let i = 1; ; i++) {
    const name = `${base}${i === 1 ? '' : `-${i}`}.cnm.yaml`;
    if (!taken(name)) return name;
  }
}
