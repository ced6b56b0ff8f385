// Leases CPU slots and distinct GPU ids to stages, and takes them back when a stage ends.
import type { Resources } from '../pipeline/stage.js';

export interface Lease {
  cpus: number;
  gpus: string[];
}

export class ResourcePool {
  private freeCpus: number;
  private readonly freeGpus: string[];

  constructor(
    readonly cpuSlots: number,
    readonly gpuIds: readonly string[],
  ) {
    this.freeCpus = cpuSlots;
    this.freeGpus = [...gpuIds];
  }

  /**
   * What a stage holds while it runs. With GPUs in the pool a GPU stage holds only its GPUs (its host
   * work is feeding them), so eight GPUs stay busy on a two-core host; without any it runs on CPU slots.
   */
  demand(resources: Resources): Lease {
    if (resources.gpu > 0 && this.gpuIds.length > 0) return { cpus: 0, gpus: new Array(resources.gpu) };
    return { cpus: Math.min(resources.cpu, this.cpuSlots), gpus: [] };
  }

  /** Leases what the stage needs, or returns undefined when it does not fit right now. */
  tryAcquire(resources: Resources): Lease | undefined {
    const wanted = this.demand(resources);
    if (wanted.cpus > this.freeCpus || wanted.gpus.length > this.freeGpus.length) return undefined;
    this.freeCpus -= wanted.cpus;
    // Lowest ids first keeps assignments predictable in logs.
    this.freeGpus.sort((a, b) => this.gpuIds.indexOf(a) - this.gpuIds.indexOf(b));
    return { cpus: wanted.cpus, gpus: this.freeGpus.splice(0, wanted.gpus.length) };
  }

  release(lease: Lease): void {
    this.freeCpus += lease.cpus;
    this.freeGpus.push(...lease.gpus);
  }

  get idle(): boolean {
    return this.freeCpus === this.cpuSlots && this.freeGpus.length === this.gpuIds.length;
  }
}
