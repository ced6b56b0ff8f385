// The learning rate at an iteration: linear warmup, then step decay by gamma at each milestone epoch.
import type { Recipe } from './recipe.js';

export function learningRate(recipe: Recipe, iteration: number, perEpoch: number): number {
  const passed = recipe.milestones.filter((epoch) => iteration >= epoch * perEpoch).length;
  let lr = recipe.lr * recipe.gamma ** passed;
  const warmup = recipe.warmup_epochs * perEpoch;
  if (warmup > 0 && iteration < warmup) lr *= iteration / warmup;
  return lr;
}
