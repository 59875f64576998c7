import { readYamlSettings } from "../config/yaml-file.ts";
import { podPieceSchema } from "../dags/spec/pod-piece-schema.ts";

/** The `--pod-template` Pod every task Pod starts from (see pod-merge.ts for how). */
export type PodTemplate = Readonly<Record<string, unknown>>;

const templateSchema = podPieceSchema("--pod-template");

/**
 * Reads `--pod-template FILE` (YAML, a core/v1 Pod) once at start-up. Throws SettingsFileError
 * (`updraft run` exits 1) naming the file, line and field: `--pod-template: pod.yaml:7:
 * spec.containers.0.resources.limits.cpu: "lots" is not a Kubernetes quantity`.
 */
export function readPodTemplate(file: string): PodTemplate {
  return readYamlSettings(file, "--pod-template", templateSchema);
}
