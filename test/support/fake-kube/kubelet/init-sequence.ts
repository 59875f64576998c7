import type { ContainerSlot } from "./container-slot.ts";

/**
 * A pod's init containers, one after the other as the kubelet starts them: a regular one must
 * complete (exit 0) before the next starts; a native sidecar (`restartPolicy: Always`) only has to
 * be running. When the last is through, `onComplete` starts the main containers.
 */
export class InitSequence {
  #next = 0;

  constructor(
    readonly slots: ContainerSlot[],
    private readonly onComplete: () => void,
  ) {}

  get complete(): boolean {
    return this.#next >= this.slots.length;
  }

  get sidecars(): ContainerSlot[] {
    return this.slots.filter((s) => s.role === "sidecar");
  }

  start(): void {
    const slot = this.slots[this.#next];
    if (slot) slot.pull();
    else this.onComplete();
  }

  /** A container is running: a native sidecar lets the next init container go. */
  started(slot: ContainerSlot): void {
    if (slot.role === "sidecar" && slot === this.slots[this.#next]) this.#advance();
  }

  /** A regular init container stopped for good: true when it failed (the pod cannot initialize). */
  done(slot: ContainerSlot): boolean {
    if (slot.role !== "init") return false;
    if (slot.status.state.terminated?.exitCode !== 0) return true;
    if (slot === this.slots[this.#next]) this.#advance();
    return false;
  }

  #advance(): void {
    this.#next++;
    this.start();
  }
}
