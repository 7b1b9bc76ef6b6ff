// What a command on a live host needs read from the host itself, beyond the snapshot: the listening
// sockets (a /proc walk per container) and the host's rules and sysctls (a process per iptables-save).
// A command that shows neither reads neither, so `cnm inspect --docker` costs what the snapshot costs.

export interface ObservationNeeds {
  readonly listeners: boolean;
  readonly rules: boolean;
}

const NEEDS: Record<string, ObservationNeeds> = {
  // Addresses, names, ports as dockerd has them: nothing the kernel alone knows.
  inspect: { listeners: false, rules: false },
  resolve: { listeners: false, rules: false },
  // The rules as they are (the host's iptables-save when read), no sockets.
  rules: { listeners: false, rules: true },
};

/** What `command` reads from the host; a command not named here reads everything (the truthful default). */
export function observationFor(command: string): ObservationNeeds {
  return NEEDS[command] ?? { listeners: true, rules: true };
}
