// The response objects of the API besides the data itself: NethServer's validation error, its
// runtime error, and the delete success. Exit status 1 goes with both error kinds.

import type { InvalidAttribute } from './request.js';

export interface NotValidResponse {
  type: 'NotValid';
  message: 'validation_failed';
  attributes: InvalidAttribute[];
}

export interface ErrorResponse {
  type: 'Error';
  message: string;
}

export interface DeleteSuccess {
  state: 'success';
  /** entries conntrack removed; for a flush (conntrack -F prints no count), the entries the table held */
  deleted: number;
}

export function notValid(attributes: InvalidAttribute[]): NotValidResponse {
  return { type: 'NotValid', message: 'validation_failed', attributes };
}

/** A runtime failure; ctflow's "ctflow: " prefix is for stderr, not for a UI. */
export function runtimeError(message: string): ErrorResponse {
  return { type: 'Error', message: message.replace(/^ctflow: /, '') };
}
