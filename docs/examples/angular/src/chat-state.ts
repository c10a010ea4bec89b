import { Injectable, signal } from '@angular/core';

/** Which room the user is in (`null`: none) and under which name they post. */
@Injectable({ providedIn: 'root' })
export class ChatState {
  readonly room = signal<string | null>('general');
  readonly user = signal('you');
}
