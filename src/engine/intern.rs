//! Names to dense integer ids with per-id state, so the engine's hot maps
//! hold integers instead of strings.

use super::FastMap;

#[derive(Debug, Clone)]
pub struct Interner<T> {
    ids: FastMap<String, u32>,
    names: Vec<String>,
    state: Vec<T>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            ids: FastMap::default(),
            names: Vec::new(),
            state: Vec::new(),
        }
    }
}

impl<T: Default> Interner<T> {
    pub fn entry(&mut self, name: &str) -> (u32, &mut T) {
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.ids.insert(name.to_string(), id);
                self.names.push(name.to_string());
                self.state.push(T::default());
                id
            }
        };
        (id, &mut self.state[id as usize])
    }
}

impl<T> Interner<T> {
    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn get(&self, id: u32) -> &T {
        &self.state[id as usize]
    }

    pub fn get_mut(&mut self, id: u32) -> &mut T {
        &mut self.state[id as usize]
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &str, &T)> {
        self.names
            .iter()
            .zip(self.state.iter())
            .enumerate()
            .map(|(i, (n, s))| (i as u32, n.as_str(), s))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u32, &str, &mut T)> {
        self.names
            .iter()
            .zip(self.state.iter_mut())
            .enumerate()
            .map(|(i, (n, s))| (i as u32, n.as_str(), s))
    }
}
