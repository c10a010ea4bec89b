import { describeChatApp } from './chat-app.js';

describeChatApp('react');
