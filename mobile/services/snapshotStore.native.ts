/** Where the last known state is kept on iOS and Android: a file in the app's documents. */
import { File, Paths } from 'expo-file-system';

function file(): File {
  return new File(Paths.document, 'snapshot.json');
}

export async function readSnapshotText(): Promise<string | null> {
  const target = file();
  return target.exists ? target.text() : null;
}

export async function writeSnapshotText(text: string | null): Promise<void> {
  const target = file();
  if (text === null) {
    if (target.exists) target.delete();
    return;
  }
  target.write(text);
}
