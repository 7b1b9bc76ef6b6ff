// The last step of "Create Network" (topology files and Compose files alike): one list with "Create
// Network" on top (Enter creates) and below it the options the chosen driver takes, each with its value.
// Picking an option asks for its value (a flag toggles); the list comes back with the engine's verdict on
// the network as it stands, so Docker's refusal shows while the answers are still there to fix.
import * as vscode from 'vscode';
import type { NewNetwork } from '../../topology/edit';
import { checkFieldValue, fieldValue, networkSummary, setFieldValue, type NetworkField } from '../networkForm';
import { BackPressed, type MultiStepInput } from './multiStep';

interface OptionItem extends vscode.QuickPickItem {
  field?: NetworkField;
  create?: boolean;
}

export interface OptionsStep {
  title: string;
  step: number;
  total: number;
  fields: NetworkField[];
  net: NewNetwork;
  /** Docker's refusal of the network as it stands, or undefined. */
  engineError(): string | undefined;
}

/** Shows the options list until the user creates the network (returns) or goes back (throws BackPressed). */
export async function optionsLoop(input: MultiStepInput, s: OptionsStep): Promise<void> {
  const { title, step, total, fields, net } = s;
  for (;;) {
    const error = s.engineError();
    const items: OptionItem[] = [
      {
        label: `${error ? '$(error)' : '$(check)'} Create Network ${net.name}`,
        description: error ? 'Docker would refuse it (below)' : 'press Enter',
        detail: error ? `Docker: ${error}` : `docker network create ${networkSummary(net)}`,
        create: true,
      },
    ];
    if (fields.length) items.push({ label: `Options of ${net.driver ?? 'bridge'}`, kind: vscode.QuickPickItemKind.Separator });
    for (const f of fields) {
      const v = fieldValue(net, f);
      items.push({ label: f.label, description: v === undefined ? 'not set' : `= ${v}`, detail: f.description, field: f, ...(v !== undefined ? { iconPath: new vscode.ThemeIcon('pass-filled') } : {}) });
    }
    const [picked] = await input.pick({
      title, step, totalSteps: total, items,
      placeholder: error ? `Docker would refuse this network: ${error}` : fields.length ? 'Enter creates the network; or pick an option to set it (type to filter)' : 'Enter creates the network',
    });
    if (!picked || picked.create) {
      if (!error) return;
      continue; // Docker would refuse it: stay, with the answers, until it is fixed (or Escape)
    }
    const f = picked.field!;
    try {
      await askValue(input, s, f);
    } catch (e) {
      if (!(e instanceof BackPressed)) throw e; // Back from a value: the list again
    }
  }
}

async function askValue(input: MultiStepInput, s: OptionsStep, f: NetworkField): Promise<void> {
  const { title, step, total, net } = s;
  const current = fieldValue(net, f);
  if (f.kind === 'boolean') {
    setFieldValue(net, f, current === 'true' ? '' : 'true');
    return;
  }
  if (f.kind === 'choice') {
    const items: vscode.QuickPickItem[] = [...(f.values ?? []).map((v) => ({ label: v })), { label: 'not set', description: 'Docker\'s default' }];
    const [p] = await input.pick({ title, step, totalSteps: total, items, placeholder: `${f.label}: ${f.description}`, selected: items.filter((i) => i.label === (current ?? 'not set')) });
    setFieldValue(net, f, p!.label === 'not set' ? '' : p!.label);
    return;
  }
  const value = await input.inputBox({
    title, step, totalSteps: total, value: current ?? '',
    prompt: `${f.label}: ${f.description} Empty: not set.`,
    ...(f.placeholder ? { placeholder: f.placeholder } : {}),
    validate: (v) => checkFieldValue(f, v),
    // The engine's word on this value: a refusal it brings (and the network did not have) keeps the box open.
    check: (v) => {
      const before = s.engineError();
      const was = fieldValue(net, f) ?? '';
      setFieldValue(net, f, v);
      const after = s.engineError();
      setFieldValue(net, f, was);
      return after && after !== before ? after : undefined;
    },
  });
  setFieldValue(net, f, value);
}
