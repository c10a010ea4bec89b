import { describeChatApp } from './chat-app.js';

describeChatApp('angular');
