// The raw pipe row's request header, shared by both ends: op (u32 LE) and payload length (u32 LE).
export const ops = { add: 0, size: 1, echo: 2 };
export const headerBytes = 8;
