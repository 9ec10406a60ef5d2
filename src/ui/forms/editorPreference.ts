import * as vscode from 'vscode';
import type { EditorPreference } from '../../forms/formEditor';
import { Settings } from '../../ids';

const PREFERENCES: readonly EditorPreference[] = ['always', 'complexOnly', 'never'];

/** The `mcpHost.forms.editor` setting, read at each use (Run Tool, Use Prompt, elicitation); an unknown value reads as the default. */
export function readEditorPreference(): EditorPreference {
  const value = vscode.workspace.getConfiguration(Settings.section).get<unknown>(Settings.formsEditor);
  return PREFERENCES.find(p => p === value) ?? 'complexOnly';
}
