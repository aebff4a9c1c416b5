import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * Exclusive lock on the embedded data folder. Two processes opening one PGlite folder lose
 * confirmed writes without any error, so the second one must be refused before it opens anything.
 * Written here rather than with a lockfile library because the refusal has to name the holder's
 * PID, and a lock left by a killed process must be taken over at once (no staleness timeout).
 */
export interface FolderLock {
  readonly file: string;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataFolder(dir: string): FolderLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'promise-ledger.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AppError(
          'data_folder_locked',
          `cannot lock data folder ${dir}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new AppError(
          'data_folder_locked',
          `data folder ${dir} is in use by another promise-ledger process (PID ${holder}); stop it, or set PL_DATA_DIR to another folder`,
        );
      }
      if (holder === process.pid) {
        throw new AppError(
          'data_folder_locked',
          `data folder ${dir} is already open in this process (PID ${holder})`,
        );
      }
      // The holder is gone (killed, crashed): the lock is stale. Remove it and try again.
      try {
        fs.unlinkSync(file);
      } catch {
        /* another process removed it first */
      }
    }
  }
  throw new AppError(
    'data_folder_locked',
    `could not lock data folder ${dir}: the lock keeps changing hands`,
  );
}
