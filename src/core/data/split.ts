// Patient-level train/validation split: every slice of one patient lands on the same side,
// so validation never sees a patient the model trained on.
import { hashSeed } from "./rng";

export interface Split<T> {
  train: T[];
  validation: T[];
  trainPatients: number;
  validationPatients: number;
}

/**
 * Orders patients by a seeded hash of their id and moves whole patients into validation until
 * it holds at least `validationFraction` of the items. The same ids and seed always give the
 * same split, independent of the input order.
 */
export function splitByPatient<T>(items: readonly T[], patientOf: (item: T) => string, validationFraction: number, seed: number): Split<T> {
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${validationFraction}`);
  const byPatient = new Map<string, T[]>();
  for (const item of items) {
    const patient = patientOf(item);
    const list = byPatient.get(patient);
    if (list) list.push(item);
    else byPatient.set(patient, [item]);
  }
  const patients = [...byPatient.keys()].sort((a, b) => hashSeed(seed, a) - hashSeed(seed, b) || (a < b ? -1 : 1));
  const target = validationFraction * items.length;
  const validationSet = new Set<string>();
  let count = 0;
  for (const patient of patients) {
    if (count >= target || validationSet.size >= patients.length - 1) break;
    validationSet.add(patient);
    count += byPatient.get(patient)!.length;
  }
  const train: T[] = [];
  const validation: T[] = [];
  for (const item of items) (validationSet.has(patientOf(item)) ? validation : train).push(item);
  return { train, validation, trainPatients: patients.length - validationSet.size, validationPatients: validationSet.size };
}
