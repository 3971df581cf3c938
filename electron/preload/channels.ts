// IPC channel names shared by the main process and the preload; nothing else uses raw channels.
export const IPC_REQUEST_CHANNEL = 'switchyard:request';
export const IPC_SUBSCRIBE_CHANNEL = 'switchyard:subscribe';
