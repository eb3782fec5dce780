// The Vagrant backend's commands (issue 4): not wired yet; they say so instead of pretending.
import { Unreachable } from '../util/errors.js';

const notYet = (what: string) => {
  throw new Unreachable(`${what} on the vagrant backend is not implemented yet: use --backend netns, or \`lab render\` and run vagrant by hand`);
};
export const vagrantUp = (_ref: string): number => notYet('lab up');
export const vagrantTest = (_ref: string, _o: object): number => notYet('lab test');
export const vagrantStatus = (_ref: string): number => notYet('lab status');
export const vagrantDestroy = (_ref: string): number => notYet('lab destroy');
