// A multi-step input (VS Code's QuickInput with "step n of m" and a Back button), as in the
// extension samples: each step is a function that asks one question and returns the next step.
import * as vscode from 'vscode';

export class BackPressed extends Error {}
export class Cancelled extends Error {}

export interface InputBoxStep {
  title: string;
  step: number;
  totalSteps: number;
  value?: string;
  prompt: string;
  placeholder?: string;
  /** Synchronous: checked as the user types; the message shows under the box. */
  validate(value: string): string | undefined;
  /** Checked once, when the user accepts (heavier: the engine's word); a message keeps the box open. */
  check?(value: string): string | undefined;
}

export interface PickStep<T extends vscode.QuickPickItem> {
  title: string;
  step: number;
  totalSteps: number;
  items: T[];
  placeholder: string;
  canPickMany?: boolean;
  selected?: T[];
  /** Accept typed text that matches no item (returned as a new item with that label). */
  acceptTyped?: (value: string) => T | undefined;
}

export type Step = (input: MultiStepInput) => Promise<Step | void>;

export class MultiStepInput {
  private current?: vscode.QuickInput;
  private readonly history: Step[] = [];

  /** Runs steps until one returns nothing; false when the user cancelled. */
  static async run(start: Step): Promise<boolean> {
    const input = new MultiStepInput();
    try {
      await input.stepThrough(start);
      return true;
    } catch (e) {
      if (e instanceof Cancelled) return false;
      throw e;
    } finally {
      input.current?.dispose();
    }
  }

  private async stepThrough(start: Step): Promise<void> {
    let step: Step | void = start;
    while (step) {
      this.history.push(step);
      try {
        step = await step(this);
      } catch (e) {
        if (!(e instanceof BackPressed)) throw e;
        this.history.pop();
        step = this.history.pop();
      }
    }
  }

  async inputBox(s: InputBoxStep): Promise<string> {
    const box = vscode.window.createInputBox();
    box.title = s.title;
    box.step = s.step;
    box.totalSteps = s.totalSteps;
    box.value = s.value ?? '';
    box.prompt = s.prompt;
    box.placeholder = s.placeholder;
    box.ignoreFocusOut = true;
    box.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
    box.validationMessage = s.value ? s.validate(s.value) : undefined;
    return this.show(box, (resolve, reject) => [
      box.onDidTriggerButton(() => reject(new BackPressed())),
      box.onDidChangeValue((v) => { box.validationMessage = s.validate(v); }),
      box.onDidAccept(() => {
        const message = s.validate(box.value) ?? s.check?.(box.value);
        box.validationMessage = message;
        if (!message) resolve(box.value);
      }),
    ]);
  }

  async pick<T extends vscode.QuickPickItem>(s: PickStep<T>): Promise<T[]> {
    const qp = vscode.window.createQuickPick<T>();
    qp.title = s.title;
    qp.step = s.step;
    qp.totalSteps = s.totalSteps;
    qp.placeholder = s.placeholder;
    qp.items = s.items;
    qp.canSelectMany = s.canPickMany ?? false;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    // A single-select pick highlights its default (selecting it there would accept the step at once).
    if (s.selected && qp.canSelectMany) qp.selectedItems = s.selected;
    else if (s.selected) qp.activeItems = s.selected;
    qp.buttons = this.history.length > 1 ? [vscode.QuickInputButtons.Back] : [];
    return this.show(qp, (resolve, reject) => [
      qp.onDidTriggerButton(() => reject(new BackPressed())),
      qp.onDidAccept(() => {
        if (qp.canSelectMany) return resolve([...qp.selectedItems]);
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        if (chosen) return resolve([chosen]);
        const typed = qp.value.trim() && s.acceptTyped?.(qp.value.trim());
        if (typed) resolve([typed]);
      }),
    ]);
  }

  private show<T>(input: vscode.QuickInput, wire: (resolve: (v: T) => void, reject: (e: Error) => void) => vscode.Disposable[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        for (const d of disposables) d.dispose();
        f();
      };
      // The next step is shown only after the key event that accepted this one is over: shown
      // within it (a microtask between two listeners of the same Enter), it would be accepted too.
      const later = (f: () => void) => setTimeout(f, 0);
      const disposables = [
        ...wire((v) => finish(() => later(() => resolve(v))), (e) => finish(() => later(() => reject(e)))),
        input.onDidHide(() => finish(() => reject(new Cancelled()))),
      ];
      this.current?.dispose();
      this.current = input;
      input.show();
    });
  }
}
